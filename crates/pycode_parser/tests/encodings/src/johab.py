# coding: johab
x = "ĞeŠ‚´á ™±"
