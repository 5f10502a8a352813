# coding: euc_kr
x = "ㅤㄸㅗㅁ방각하 ㅤㅍㅔㅍ시콜라"
