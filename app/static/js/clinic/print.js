// The printable summary: a "Print this summary" button, shown only when script can run it
// (without script the browser's own Print command does the same).

for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
