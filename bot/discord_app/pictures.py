"""Pictures and files as Discord attachments: the PNG with its alt text as the attachment's
description (what screen readers and Discord's "ALT" badge show), and the upload limit."""

from __future__ import annotations

import io

import discord

from bot.discord_app import limits
from bot.present.records import Picture

ATTACHMENT_DESCRIPTION = 1024  # Discord's limit for an attachment's description (alt text)
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # a server without boosts; interactions say their own


def upload_limit(interaction: discord.Interaction) -> int:
    """The largest file this interaction's reply may carry (Discord sends it with each one)."""
    return int(getattr(interaction, "filesize_limit", 0) or DEFAULT_UPLOAD_LIMIT)


def picture_file(picture: Picture) -> discord.File:
    """The picture as an attachment, its alt text as the description."""
    return discord.File(io.BytesIO(picture.png), filename=picture.filename,
                        description=limits.one_line(picture.alt, ATTACHMENT_DESCRIPTION))


def attach_to(embed: discord.Embed, picture: Picture) -> discord.Embed:
    """Show the attached picture inside the embed (`attachment://` refers to the upload)."""
    embed.set_image(url=f"attachment://{picture.filename}")
    return embed
