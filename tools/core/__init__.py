"""Text and Beancount primitives that every layer above uses."""
