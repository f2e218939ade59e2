"""The networks ``effective_features`` trains: the sparse autoencoder (``sae``) and the
multi-task sparse-parity MLP with dropout (``parity_mlp``)."""
