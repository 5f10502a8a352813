# coding: iso2022_jp
x = "日本語"
