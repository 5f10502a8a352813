x.print y
