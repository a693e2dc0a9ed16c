"""Built-in government services, one module each (the plug-in point; see docs/ADDING_A_SERVICE.md).

Every module here that defines ``service = SomeService()`` is registered automatically.
"""
