"""Discord's ids as the application names them: a server is a community, users and channels text.

The one place the Discord front end turns snowflakes into the application's keys; a direct
message has no server and belongs to the user's personal community `discord:dm.<user>`, which
appears on no server's board (rows stored as `discord:0` before stay where they are).
"""

from __future__ import annotations

import discord

from bot.community import Community


def community_of(interaction: discord.Interaction) -> Community:
    if interaction.guild_id is None:
        return Community.discord_dm(interaction.user.id)
    return Community.discord(interaction.guild_id)


def user_of(interaction: discord.Interaction) -> str:
    return str(interaction.user.id)


def channel_of(interaction: discord.Interaction) -> str | None:
    return None if interaction.channel_id is None else str(interaction.channel_id)
