"""The three pools numbers join: Messaging Services, SIP Trunks and Proxy Services.

One module per pool holds its parent resource and its rules (``messaging``, ``trunking``,
``proxy``); ``base`` holds what they share. The rules between pools live with the pool that
checks them: a Messaging number may not join a Proxy Service (``proxy``); joining a trunk clears
the voice application (``numbers.configure``).
"""
