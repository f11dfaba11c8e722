"""``referral-lint serve``: a page on the user's own machine that checks a draft as it is typed.

``service`` lints and fixes (the one place the server reaches the linter), ``app`` is the
Starlette application (the JSON API, the guards and the page), ``server`` starts uvicorn,
and ``static/`` holds the page itself (plain HTML, CSS and JavaScript, shipped in the wheel).
"""

#: Where ``serve`` listens unless told otherwise (here, so the CLI reads them without importing the server).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
