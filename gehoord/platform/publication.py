"""Screening what can become public: a moderator approves or withholds a complaint or a reply
before it is published (the moderation issue adds automatic screening in front of this)."""
