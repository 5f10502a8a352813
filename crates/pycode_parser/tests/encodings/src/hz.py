# coding: hz
x = "~{VPND~}"
