"""Hostile input: a crafted mission package and ordinary command lines used carelessly."""
