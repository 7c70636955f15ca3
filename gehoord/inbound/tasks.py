from django_tasks import task


@task()
def process_inbound(inbound_id: int) -> str:
    """Process one stored inbound mail (the pipeline's second half)."""
    from gehoord.inbound import pipeline

    return pipeline.process(inbound_id)
