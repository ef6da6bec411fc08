"""wsus_emulator: a protocol-faithful WSUS administration web service ([MS-WSUSAR]) for tests."""

__version__ = "0.1.0"
