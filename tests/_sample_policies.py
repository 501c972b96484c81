"""Small invented policies shared by the batch and Dask tests."""

POLICIES = {
    "shop": "# Sharing\n\nWe share your address with couriers and payment processors.\n\n"
    "# Cookies\n\nWe use cookies and web beacons to remember your cart.",
    "kids": "Children under 13 may not use this site. We do not knowingly collect data from"
    " children.",
    "bank": "<h2>Security</h2><p>We encrypt your data in transit with TLS.</p>"
    "<p>Access is limited to staff who need it.</p>",
    "blog": "We collect your e-mail address when you subscribe to the newsletter.",
    "empty": "   ",
    "app": "Our app reads your location to show nearby stores.\n\nWe never sell it.",
    "news": "We use Google Analytics cookies to count visits.\nYou can opt out in your browser.",
}
