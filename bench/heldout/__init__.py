"""Held-out evaluation set (generator B): documents drawn as HTML/CSS, rendered by Chromium."""
