"""Discord: the community is a server (guild), a group is a text channel.

`client.build_client` builds the wired discord.py bot without connecting;
`runner.serve` runs it. `translate` turns discord.py objects into the core's
events, `gateway` carries the core's actions out, `community` joins the two.
"""
