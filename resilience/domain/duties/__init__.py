"""The statutory duties (DESIGN.md section 2): the rules, the dashboard, local policy,
reminder dates, and the legal basis of each.
"""
