"""The bundled demo practice: its generator and its rules."""
