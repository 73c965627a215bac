// Audit log page (strict CSP + Trusted Types): text only, no HTML sinks.
document.getElementById('download-audit').addEventListener('click', () => {
  document.getElementById('audit-status').textContent = 'audit-log.csv is being prepared.';
});
