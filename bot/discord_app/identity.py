"""Discord's ids as the application names them: a server is a community, users and channels text.

The one place the Discord front end turns snowflakes into the application's keys; a direct
message has no server and is the community `discord:0`.
"""

from __future__ import annotations

import discord

from bot.community import Community


def community_of(interaction: discord.Interaction) -> Community:
    return Community.discord(interaction.guild_id)


def user_of(interaction: discord.Interaction) -> str:
    return str(interaction.user.id)


def channel_of(interaction: discord.Interaction) -> str | None:
    return None if interaction.channel_id is None else str(interaction.channel_id)
