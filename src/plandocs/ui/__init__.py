"""plandocs ui: the commands as a local web page for staff officers, served on 127.0.0.1 to one browser.

The page calls the same library functions as the commands (commands/*); this package only turns their reports
into pages and guards the door: a random token, the Host header, a same-origin Origin and a CSRF token.
"""
