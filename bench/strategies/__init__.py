"""Baseline seat-allocation strategies people use instead of Holdfast, for the rush benchmark.

They live here, not in the product: each is a faithful implementation of a
common approach behind the same endpoint shape as Holdfast's API, so the
benchmark can show what each one gets right and wrong under the same load.
"""
