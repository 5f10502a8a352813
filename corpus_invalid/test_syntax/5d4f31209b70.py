import a.y.z, b.y.z, c.y.z from b.y.z as bar
