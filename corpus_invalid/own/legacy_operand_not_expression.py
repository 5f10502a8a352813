a + print [0]
1 +
