"""`runwear report`: one offline HTML page of warnings, shoe wear, load, surfaces and a map.

`data` builds the figures from the monitor functions, `svg` draws the charts, `page`
renders the Jinja2 templates, `palette` gives every surface its one colour.
"""
