"""What a client's people may change, and how the agency gives them access: people, content,
media, inbox (requests and deliverables), one module each.

Every function takes the client user (or the client) and refuses anything outside that client:
the caller has already looked the object up through ``portal.selectors``, and these functions
check again, because one place per rule means the rule holds whoever calls.
"""
