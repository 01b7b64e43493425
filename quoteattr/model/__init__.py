"""The neural pipeline: labels, features and windows, the network and its heads, decoding, training, the model card.

Nothing here imports the attributor (`quoteattr.inference`), the tools or the CLI.
"""
