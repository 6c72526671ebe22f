"""Classical objectives for zeroth-q: a NumPy MLP on MNIST and on XOR-2D, a NumPy CNN on MNIST.

Modules, bottom up:

* :mod:`classical.idx`, :mod:`classical.mnist` — the MNIST IDX files (shipped in
  ``classical/data`` with their license), read and verified by SHA-256.
* :mod:`classical.examples` — labelled examples, standardisation from training data,
  the validation split; :mod:`classical.xor` — the XOR-2D grid.
* :mod:`classical.activations`, :mod:`classical.losses`, :mod:`classical.mlp` — an MLP
  evaluated for a batch of ``B`` parameter vectors in one pass, with backprop.
* :mod:`classical.conv`, :mod:`classical.cnn` — im2col convolution and max-pool kernels, and a
  CNN evaluated for ``B`` parameter vectors in one pass, with backprop;
  :mod:`classical.cnn_objective` the objective around it, :mod:`classical.chunked_perturbed`
  its SPSA evaluation a chunk of directions at a time.
* :mod:`classical.epochs` — shuffled epochs of mini-batches, checkpointable.
* :mod:`classical.supervised` — :class:`~classical.supervised.SupervisedObjective`, the
  zeroth-q ``Objective`` both tasks are instances of.
* :mod:`classical.specs` — the ``mnist``, ``xor`` and ``cnn`` entry points and their configs.

Importing this package loads nothing: ``zeroth_q`` finds the objectives by name.
"""
