"""Closing a platform complaint: the consumer's verdict (resolved or not, satisfaction, comment),
closing as unanswered after the platform's term, and the reminders to the company before it."""
