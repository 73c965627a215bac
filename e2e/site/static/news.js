// Counts clicks on the fixed header's own control, so a test can tell it is usable.
let clicks = 0;
document.getElementById('header-search').addEventListener('click', () => {
  clicks += 1;
  document.getElementById('header-clicks').textContent = `Search clicked ${clicks}`;
});
