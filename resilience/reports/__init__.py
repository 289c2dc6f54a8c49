"""Documents made from the register: briefing packs and the annual report (HTML, PDF, Word)."""
