#!/usr/bin/env python
# coding: foobar
x = 1
