// Receipt upload frame (same origin as the page around it).
document.getElementById('attach-receipt').addEventListener('click', () => {
  document.getElementById('attach-status').textContent = 'receipt-rail-europe.pdf attached.';
});
