// Service worker entry: only imports. Each module registers its own listeners
// at the top level, as an MV3 worker must, so events that wake it are handled.
import './messages.js';
import './navigation.js';
import './lifecycle.js';
import './devtools.js';
