"""The Flask bridge: signed JSON API and admin fragments."""
