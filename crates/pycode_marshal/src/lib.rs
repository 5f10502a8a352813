//! CPython marshal reader/writer and .pyc headers
