// The picker's stylesheet, adopted by its own shadow root (like the overlay's
// styles.js): the page's CSS cannot reach it and it cannot reach the page.
export const PICKER_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.wp-box {
  position: fixed; display: none; pointer-events: none; border-radius: 3px;
  border: 2px solid #1a5fd6; background: rgba(26, 95, 214, .12); box-shadow: 0 0 0 1px rgba(255, 255, 255, .8);
}
.wp-label, .wp-hint {
  position: fixed; pointer-events: none; padding: 3px 8px; border-radius: 4px;
  background: #1f2329; color: #fff; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.wp-label { display: none; max-width: min(520px, calc(100vw - 16px)); font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.wp-hint { top: 8px; left: 50%; transform: translateX(-50%); max-width: calc(100vw - 16px); font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.wp-panel {
  position: fixed; right: 16px; bottom: 16px; width: min(460px, calc(100vw - 32px)); max-height: calc(100vh - 32px);
  overflow: auto; padding: 16px; border-radius: 10px; background: #fff; color: #1f2329; text-align: left;
  box-shadow: 0 8px 28px rgba(0, 0, 0, .28), 0 0 0 1px rgba(0, 0, 0, .06); pointer-events: auto; outline: none;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
.wp-panel.wp-top { top: 16px; bottom: auto; }
.wp-title { margin: 0 28px 8px 0; font-size: 16px; font-weight: 600; line-height: 1.3; }
.wp-json {
  margin: 0 0 10px; padding: 8px 10px; max-height: 40vh; overflow: auto; border-radius: 6px; background: #f1f3f5;
  font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; overflow-wrap: anywhere;
  user-select: text;
}
.wp-warning { margin: 0 0 10px; padding: 6px 10px; border-left: 3px solid #c77700; background: #fff6e5; font-size: 13px; }
.wp-actions { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.wp-status { flex: 1; min-width: 8em; color: #69707a; font-size: 12px; }
.wp-button {
  font: inherit; font-size: 13px; padding: 6px 12px; border-radius: 6px; cursor: pointer;
  border: 1px solid #c9ced6; background: #fff; color: #1f2329;
}
.wp-button:hover { background: #f3f5f8; }
.wp-primary { background: #1a5fd6; border-color: #1a5fd6; color: #fff; }
.wp-primary:hover { background: #164fb3; }
.wp-button:focus-visible, .wp-close:focus-visible { outline: 2px solid #4c8dff; outline-offset: 2px; }
.wp-close {
  position: absolute; top: 8px; right: 8px; width: 28px; height: 28px; border: 0; border-radius: 6px;
  background: transparent; color: #69707a; font: 20px/1 system-ui, sans-serif; cursor: pointer;
}
.wp-close:hover { background: #f1f3f5; color: #1f2329; }
`;
