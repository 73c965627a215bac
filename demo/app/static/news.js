// ?sticky makes the header sticky instead of fixed. Clicks on the header's own
// control are counted, so a test can tell it is usable.
const header = document.getElementById('fixed-header');
if (new URLSearchParams(location.search).has('sticky')) header.classList.replace('fixed-top', 'sticky-top');
let clicks = 0;
document.getElementById('header-search').addEventListener('click', () => {
  clicks += 1;
  document.getElementById('header-clicks').textContent = `Search clicked ${clicks}`;
});
