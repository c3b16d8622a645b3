"""Tickets at the door: signed codes, the PDF and calendar files, check-in online and offline.
May import venues/, holds/ and the top of booking/; orders/ imports it to send tickets."""
