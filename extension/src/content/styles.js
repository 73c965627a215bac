// The overlay's stylesheet. It lives inside the shadow root, so the page's
// CSS cannot reach the tooltip and this CSS cannot reach the page.
export const OVERLAY_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.wm-dialog {
  position: fixed; top: 0; left: 0; max-width: min(360px, calc(100vw - 16px)); min-width: 220px;
  padding: 16px 16px 12px; border-radius: 10px; background: #fff; color: #1f2329;
  box-shadow: 0 8px 28px rgba(0, 0, 0, .28), 0 0 0 1px rgba(0, 0, 0, .06);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; text-align: left;
  pointer-events: auto; outline: none; z-index: 2;
}
.wm-dialog:focus-visible { box-shadow: 0 8px 28px rgba(0, 0, 0, .28), 0 0 0 3px #4c8dff; }
.wm-dialog.wm-modal { top: 50%; left: 50%; transform: translate(-50%, -50%); }
.wm-title { margin: 0 28px 6px 0; font-size: 16px; font-weight: 600; line-height: 1.3; }
.wm-body { margin: 0 0 12px; overflow-wrap: anywhere; }
.wm-body p, .wm-body ul, .wm-body ol, .wm-body pre { margin: 0 0 8px; }
.wm-body ul, .wm-body ol { padding-left: 20px; }
.wm-body code, .wm-body pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; background: #f1f3f5; border-radius: 4px; }
.wm-body code { padding: 1px 4px; }
.wm-body pre { padding: 8px; overflow: auto; }
.wm-body a { color: #1a5fd6; }
.wm-footer { display: flex; align-items: center; gap: 8px; }
.wm-progress { flex: 1; color: #69707a; font-size: 12px; }
.wm-preview { padding: 1px 6px; border-radius: 4px; background: #fff4d6; color: #7a4d00; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.wm-button {
  font: inherit; font-size: 13px; padding: 6px 12px; border-radius: 6px; cursor: pointer;
  border: 1px solid #c9ced6; background: #fff; color: #1f2329;
}
.wm-button:hover { background: #f3f5f8; }
.wm-button:focus-visible, .wm-close:focus-visible { outline: 2px solid #4c8dff; outline-offset: 2px; }
.wm-primary { background: #1a5fd6; border-color: #1a5fd6; color: #fff; }
.wm-primary:hover { background: #164fb3; }
.wm-close {
  position: absolute; top: 8px; right: 8px; width: 28px; height: 28px; border: 0; border-radius: 6px;
  background: transparent; color: #69707a; font: 20px/1 system-ui, sans-serif; cursor: pointer;
}
.wm-close:hover { background: #f1f3f5; color: #1f2329; }
.wm-arrow { position: absolute; width: 12px; height: 12px; background: #fff; transform: rotate(45deg); z-index: -1; }
.wm-modal .wm-arrow { display: none; }
.wm-spotlight {
  position: fixed; border-radius: 6px; pointer-events: none; z-index: 1;
  box-shadow: 0 0 0 4px rgba(76, 141, 255, .55), 0 0 0 100vmax rgba(15, 20, 30, .5);
  transition: top .12s, left .12s, width .12s, height .12s;
}
.wm-backdrop { position: fixed; inset: 0; background: rgba(15, 20, 30, .5); pointer-events: none; z-index: 1; }
/* Read by screen readers, never seen (focus.js). */
.wm-announce { position: fixed; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) { .wm-spotlight { transition: none; } }
`;
