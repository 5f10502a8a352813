#!/usr/bin/env python
# coding: cp1252
x = 1
