"""The back-office: its home, account search, unlock and block, the security log and documents
(``views``), and the URLs of every office page, other apps' included (``urls``)."""
