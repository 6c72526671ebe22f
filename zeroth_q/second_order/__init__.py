"""Second-order methods: Newton, (L-)BFGS, natural gradient / K-FAC, 2-SPSA / QN-SPSA."""
