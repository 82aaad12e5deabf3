"""The WeChat Official Account (服务号) channel: its protocol, its API client, its menu."""
