from django.db import migrations

from submissions.sdgs import SDGS


def load_sdgs(apps, schema_editor):
    SDG = apps.get_model("submissions", "SDG")
    for number, title, colour in SDGS:
        SDG.objects.update_or_create(number=number, defaults={"title": title, "colour": colour})


class Migration(migrations.Migration):
    dependencies = [("submissions", "0001_initial")]

    operations = [migrations.RunPython(load_sdgs, migrations.RunPython.noop)]
