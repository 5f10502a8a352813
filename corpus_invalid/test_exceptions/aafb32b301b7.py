if 1:
            def foo():
                '''

            def bar():
                pass

            def baz():
                '''quux'''
            