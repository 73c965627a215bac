"""The demo: ``waymark demo`` from a clone (run.py), its seed, its browser, and the demo app.

Not part of the installable ``waymark`` package, which never imports it: the
CLI runs ``demo/run.py`` as a script. The e2e suite uses the demo app
(``demo/app/``) as its pages; nothing here uses the e2e suite.
"""
