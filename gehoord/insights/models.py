"""What the register and the reports read: prepared numbers, saved views and recurring problems (SPEC 9)."""
