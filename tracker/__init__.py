"""防止返贫监测台账 (fanpin tracker): register → validation → policy rules → protected static site."""

__version__ = "0.1.0"
