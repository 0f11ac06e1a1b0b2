"""The Slack front end: slash commands, buttons, modals and the daily quiz's delivery, on Bolt.

`frontend.create_slack_app` builds the Bolt `AsyncApp` over the application (`bot.app`);
`blocks` draws Block Kit, `limits` fits text to Slack's limits, `delivery` posts and reveals
daily questions, `members` reads a member's language and role, `manifest` prints the app
manifest, and `serve` runs Socket Mode or HTTP mode for `studybot run` (`bot.runner`).
"""
