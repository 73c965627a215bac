// New report form: "Save draft" keeps the form on the page (no navigation),
// like the real tool's autosave.
const status = document.getElementById('draft-status');
document.getElementById('save-draft').addEventListener('click', () => {
  const amount = document.getElementById('amount').value.trim();
  status.textContent = amount ? `Draft saved (${amount} EUR).` : 'Draft saved.';
});
