"""The WeChat Official Account channel.

``verify`` checks signatures and decrypts safe-mode bodies, ``inbound`` turns verified
XML into neutral events, ``outbound`` renders passive replies (all three pure);
``adapter``, ``sender``, ``token`` and ``menu`` hold the I/O with WeChat's API.
"""
